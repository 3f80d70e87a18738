"""Media at build time: facts read from files (durations), transcoded video, converted
documents, posters and page images."""
