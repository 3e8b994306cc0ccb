"""`pyike lab --netns`: a lab topology (`pyike.topology`) played by real `pyike run` daemons,
one per router, each in a Linux network namespace of its own: the layout (`plan`), Linux ping
answering as IOS does (`ping`), and the run (`run`)."""
