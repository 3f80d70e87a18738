"""The event as a ZIM file for Kiwix: another renderer of the same plan as the package folder.

``entries`` decides (purely) what goes in, what Kiwix's search finds each entry by and the
metadata Kiwix's library shows; ``render`` renders the viewer and readers for it with
oerpack.viewer; ``icon`` makes its 48x48 picture; ``zimfile`` is the only libzim user;
``verify`` checks a written ZIM.
"""
