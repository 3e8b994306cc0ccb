"""Adapters above the engine and the data plane: the IOS configuration turned into the
engine's Policy and TunnelSpecs (`config_policy`)."""
