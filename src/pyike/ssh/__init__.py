"""SSH access to the IOS command line of a gateway or of lab routers (asyncssh)."""
