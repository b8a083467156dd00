// Plugins.
