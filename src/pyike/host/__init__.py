"""What the lab's routers and `pyike run`'s gateway share, below both: the crypto host
(`crypto_host`: engine, SA database, IKE and ESP in and out, SA installation), the show
views of its live state (`views`) and the crypto exec commands (`exec_crypto`).

Nothing is imported here, so that `pyike run` starts without the show layer."""
