"""FRRouting for pyike: a router's `router bgp|ospf|eigrp` configuration translated from
IOS to FRR (`translate`), FRR's daemons run for one router (`daemons`), what its routing still
waits for (`status`), and the routing show commands answered by FRR's vtysh (`vtysh`)."""
