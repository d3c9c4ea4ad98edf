"""PySide6 widgets. No TensorFlow math here: everything numeric comes from digitapp.core."""
