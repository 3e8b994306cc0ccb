"""pyike: an IKEv2/IPsec toolkit with a Cisco IOS personality."""

__version__ = "0.1.0"
