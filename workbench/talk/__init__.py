"""Talk scripts: file format, rendering, linting, hot reload, selection and statistics."""
