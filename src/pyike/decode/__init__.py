"""`pyike decode`: IKEv2 messages out of a capture, printed as IOS prints them."""
