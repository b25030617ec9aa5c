"""REFI-QDA (.qdpx) projects: safe archive reading, project.qde parsing and writing."""
