--@ postgres
-- Each declaration row carries several kilobytes of JSON text (the document as filed, the
-- checked declaration, the duty calculation), which PostgreSQL compresses when it stores them.
-- lz4 compresses several times faster than the default pglz for about the same size, which
-- matters on a server that records thousands of declarations a second. Servers built without
-- lz4 keep pglz.
DO $$
BEGIN
    ALTER TABLE declarations
        ALTER COLUMN document SET COMPRESSION lz4,
        ALTER COLUMN checked SET COMPRESSION lz4,
        ALTER COLUMN duties SET COMPRESSION lz4,
        ALTER COLUMN decision SET COMPRESSION lz4,
        ALTER COLUMN pending SET COMPRESSION lz4;
    ALTER TABLE audit_log ALTER COLUMN details SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not available; keeping the default compression';
END $$;
--@ end
