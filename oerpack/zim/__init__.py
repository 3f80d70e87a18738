"""The event as a ZIM file for Kiwix: another renderer of the same plan as the package folder.

``entries`` decides (purely) what goes in and what Kiwix's library shows, ``render`` renders
the viewer for it, ``zimfile`` is the only libzim user and ``verify`` checks a written ZIM.
"""
