"""Built by a later issue; the app exists so the tree is the final one."""
