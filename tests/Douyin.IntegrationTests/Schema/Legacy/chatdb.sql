-- The schema and history that the hand-written migrations (removed with the switch to dotnet ef) left in chatdb,
-- as `dotnet ef migrations script` printed them from the last release that had them (its EF Core was 10.0.0).

CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;
CREATE TABLE conversations (
    low_user_id bigint NOT NULL,
    high_user_id bigint NOT NULL,
    last_create_time bigint NOT NULL,
    CONSTRAINT pk_conversations PRIMARY KEY (low_user_id, high_user_id)
);

CREATE TABLE messages (
    id bigint NOT NULL,
    low_user_id bigint NOT NULL,
    high_user_id bigint NOT NULL,
    from_user_id bigint NOT NULL,
    to_user_id bigint NOT NULL,
    content character varying(1000) NOT NULL,
    create_time bigint NOT NULL,
    CONSTRAINT pk_messages PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_messages_low_user_id_high_user_id_create_time ON messages (low_user_id, high_user_id, create_time);

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261123000000_InitialCreate', '10.0.0');

COMMIT;

