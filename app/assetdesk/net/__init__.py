"""HTTP plumbing that providers/ and transfer/ both use: retries, network errors, clients."""
