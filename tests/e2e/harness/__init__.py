"""End-to-end harness for regscan: real registries on loopback, images built here."""
