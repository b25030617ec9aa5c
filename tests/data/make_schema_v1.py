"""Written once at schema version 1 to make schema_v1.db (see README.md); kept as a record."""

import sqlite3
import sys
from datetime import datetime

from sqlmodel import SQLModel, create_engine

from review.store import models  # noqa: F401

path = sys.argv[1]
engine = create_engine(f"sqlite:///{path}")
SQLModel.metadata.create_all(engine)
engine.dispose()
con = sqlite3.connect(path)
now = datetime(2026, 11, 29, 10, 0).isoformat(" ")
con.executescript(
    f"""
    CREATE TABLE review_migrations (id VARCHAR(200) PRIMARY KEY, applied DATETIME NOT NULL);
    INSERT INTO review_migrations VALUES ('0001_initial', '{now}');
    INSERT INTO coder (id, name, created) VALUES (1, 'alice', '{now}');
    INSERT INTO source (id, key, kind, title, authors, year, keywords, record, meta, text, created)
    VALUES (1, 'bovaird2015', 'article',
      'Activating collective co-production of public services',
      '["Bovaird, Tony", "Loeffler, Elke"]', 2015, '["co-production"]', '{{}}', '{{}}',
      'Moderator: Who recycles?\nAnn: We all do it together on our street.', '{now}');
    INSERT INTO passage (id, source_id, start, "end", kind, speaker)
    VALUES (1, 1, 25, 66, 'turn', 'Ann');
    INSERT INTO code (id, name, keywords, position, codable) VALUES (1, 'Co-delivery', '[]', 0, 1);
    INSERT INTO coding (id, source_id, code_id, start, "end", quote, coder_id, origin, created)
    VALUES (1, 1, 1, 30, 66, 'We all do it together on our street.', 1, 'manual', '{now}');
    """
)
con.commit()
con.close()
