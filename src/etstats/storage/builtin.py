"""Built-in storage backends, registered through the ``etstats_register_storage`` hook."""
