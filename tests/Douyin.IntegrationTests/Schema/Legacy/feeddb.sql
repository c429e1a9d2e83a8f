-- The schema and history that the hand-written migrations (removed with the switch to dotnet ef) left in feeddb,
-- as `dotnet ef migrations script` printed them from the last release that had them (its EF Core was 10.0.0).

CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;
CREATE TABLE videos (
    id bigint NOT NULL,
    author_id bigint NOT NULL,
    title text NOT NULL,
    play_path character varying(1024) NOT NULL,
    cover_path character varying(1024) NOT NULL,
    favorite_count bigint NOT NULL DEFAULT 0,
    comment_count bigint NOT NULL DEFAULT 0,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_videos PRIMARY KEY (id)
);

CREATE INDEX ix_videos_created_at_id ON videos (created_at DESC, id DESC);

CREATE INDEX ix_videos_author_id_created_at_id ON videos (author_id, created_at DESC, id DESC);

CREATE TABLE favorites (
    user_id bigint NOT NULL,
    video_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_favorites PRIMARY KEY (user_id, video_id)
);

CREATE INDEX ix_favorites_video_id ON favorites (video_id);

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

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201000000_InitialCreate', '10.0.0');

COMMIT;

START TRANSACTION;
ALTER TABLE favorites ADD is_favorite boolean NOT NULL DEFAULT TRUE;

ALTER TABLE favorites ADD sequence bigint NOT NULL DEFAULT 0;

CREATE INDEX ix_favorites_user_id_created_at_video_id ON favorites (user_id, created_at DESC, video_id DESC);

CREATE TABLE comments (
    id bigint NOT NULL,
    video_id bigint NOT NULL,
    user_id bigint NOT NULL,
    content text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    is_deleted boolean NOT NULL DEFAULT FALSE,
    CONSTRAINT pk_comments PRIMARY KEY (id)
);

CREATE INDEX ix_comments_video_id_created_at_id ON comments (video_id, created_at DESC, id DESC);

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261210000000_FavoritesAndComments', '10.0.0');

COMMIT;

