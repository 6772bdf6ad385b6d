"""Schema migrations of the one tortoise app, applied by `chapterhouse migrate`."""
