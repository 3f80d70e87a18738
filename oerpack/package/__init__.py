"""The package: assemble a folder from a plan (media, viewer, Kolibri channel, README,
build record, SHA256SUMS), zip it, check it against FAT32 and a stick's size, verify it."""
