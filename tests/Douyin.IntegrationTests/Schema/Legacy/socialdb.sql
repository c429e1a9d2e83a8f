-- The schema and history that the hand-written migrations (removed with the switch to dotnet ef) left in socialdb,
-- as `dotnet ef migrations script` printed them from the last release that had them (its EF Core was 10.0.0).

CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;
CREATE TABLE users (
    id bigint NOT NULL,
    name character varying(64) NOT NULL,
    normalized_name character varying(128) NOT NULL,
    password_hash character varying(256) NOT NULL,
    signature character varying(512),
    avatar character varying(1024),
    background_image character varying(1024),
    follow_count bigint NOT NULL DEFAULT 0,
    follower_count bigint NOT NULL DEFAULT 0,
    work_count bigint NOT NULL DEFAULT 0,
    favorite_count bigint NOT NULL DEFAULT 0,
    total_favorited bigint NOT NULL DEFAULT 0,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_users PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_users_normalized_name ON users (normalized_name);

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261121000000_InitialCreate', '10.0.0');

COMMIT;

START TRANSACTION;
CREATE TABLE follows (
    follower_id bigint NOT NULL,
    followee_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_follows PRIMARY KEY (follower_id, followee_id),
    CONSTRAINT fk_follows_users_follower_id FOREIGN KEY (follower_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_follows_users_followee_id FOREIGN KEY (followee_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_follows_followee_id_created_at ON follows (followee_id, created_at);

CREATE TABLE integration_event_log (
    event_id uuid NOT NULL,
    event_type_name character varying(200) NOT NULL,
    content jsonb NOT NULL,
    state integer NOT NULL,
    times_sent integer NOT NULL,
    creation_time timestamp with time zone NOT NULL,
    CONSTRAINT pk_integration_event_log PRIMARY KEY (event_id)
);

CREATE INDEX ix_integration_event_log_unpublished ON integration_event_log (creation_time) WHERE state <> 2;

CREATE TABLE integration_event_inbox (
    event_id uuid NOT NULL,
    consumer character varying(200) NOT NULL,
    processed_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_integration_event_inbox PRIMARY KEY (event_id, consumer)
);

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122000000_Relations', '10.0.0');

COMMIT;

