"""Lambda trigger debugging: event preview, pool configuration, log follow, local runs."""
