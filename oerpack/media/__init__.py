"""Media derived at build time: transcoded video, converted documents, posters, page images."""
