"""My backprop package."""
