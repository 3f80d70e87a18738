"""Reading facts out of packaged media files (video durations) without third-party tools."""
