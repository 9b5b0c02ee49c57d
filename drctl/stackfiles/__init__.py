"""Stack files (``Pulumi.<stack>.yaml``): find the project, read them strictly, edit them in place."""
