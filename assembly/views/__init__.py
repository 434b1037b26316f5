"""Thin views: permission, then form, then action, then a page or a partial."""
