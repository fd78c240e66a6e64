"""The window's composition: columns, menus, docks, saved state and the About box."""
