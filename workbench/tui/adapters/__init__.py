"""UI-side adapters: call the services in worker threads, return plain dataclasses for screens."""
