"""Layer 2: everything we send — render, address, publish, signed delivery with retry."""
