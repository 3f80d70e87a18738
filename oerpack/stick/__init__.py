"""Write finished packages to USB sticks and SD cards: many at once, verified by reading the
stick back, resumable, updated in place. Reads ``dist/<id>/`` folders; knows no manifests."""
