"""The Qt desktop interface. Importing this package does not import Qt."""
