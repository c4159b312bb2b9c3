"""Index files memory-mapped and read in place, so that every web worker shares one copy of them.

Whoosh's FileStorage (2.7) maps a compound segment, then wraps each file inside it in a
BufferFile, whose constructor does `BytesIO(memoryview)`: BytesIO copies any buffer that is not
`bytes`, so each process ended up with a private heap copy of the whole index (99 MB at 10,000
items). Here every file is mapped read-only and wrapped in a reader that slices the map instead;
the pages stay in the kernel's page cache, shared by all processes, and cost no private memory.

A compound segment file opened through this storage has no `fileno`, so Whoosh's CompoundStorage
does not map it a second time and asks for `subset()` of it instead, which slices the same map.
Whoosh has no reader of this kind (checked in 2.7.5: StructFile reads a file object, BufferFile
copies), hence this small one.
"""
import mmap
import os

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile


class MappedReader:
    """The read/seek/tell of a file object over a memoryview, without copying it."""

    def __init__(self, view):
        self.view, self.position = view, 0

    def read(self, size=-1):
        """Up to `size` bytes from the current position (all the rest when size < 0), as bytes."""
        start = self.position
        end = len(self.view) if size is None or size < 0 else min(start + size, len(self.view))
        self.position = max(end, start)
        return bytes(self.view[start:end])

    def readline(self, size=-1):
        """Bytes up to and including the next newline (pickle.load asks for it), read 4 KB at a time."""
        limit = len(self.view) if size is None or size < 0 else min(len(self.view), self.position + size)
        start = end = self.position
        while end < limit:
            cut = bytes(self.view[end:min(end + 4096, limit)]).find(b"\n")
            if cut >= 0:
                end += cut + 1
                break
            end = min(end + 4096, limit)
        self.position = end
        return bytes(self.view[start:end])

    def seek(self, offset, whence=os.SEEK_SET):
        """Move as file.seek does; returns the new position."""
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.position, os.SEEK_END: len(self.view)}[whence]
        self.position = base + offset
        return self.position

    def tell(self):
        return self.position

    def close(self):
        """Drop the view: the map is unmapped once no other view of it is left (CPython refcounts)."""
        self.view = memoryview(b"")


class MappedFile(BufferFile):
    """A Whoosh StructFile reading a memoryview in place (BufferFile would copy it into a BytesIO)."""

    def __init__(self, view, name=None, onclose=None):
        self._buf = view
        self._name = name
        self.file = MappedReader(view)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position, length, name=None):
        """One file of a compound segment: a slice of the same map, not a copy."""
        return MappedFile(self._buf[position:position + length], name=name or self._name)

    def close(self):
        super().close()
        self._buf = memoryview(b"")


class MappedStorage(FileStorage):
    """A FileStorage whose files are opened as read-only memory maps (writing is unchanged)."""

    def open_file(self, name, **kwargs):
        """The file `name`, mapped; an empty file (which cannot be mapped) is an empty buffer."""
        with open(self._fpath(name), "rb") as f:
            size = os.fstat(f.fileno()).st_size
            view = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)) if size else memoryview(b"")
        return MappedFile(view, name=name, **kwargs)
