"""Pure 3D file work: plain functions over files and bytes. Nothing here imports Django."""
