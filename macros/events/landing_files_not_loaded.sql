{#- A select of the landing files of `location` (a path or glob) that are not in
    `loaded_relation` (model base_tracking__landed_events; none: every file), sorted by
    path: landing_file (path as listed), landing_file_size (bytes), landing_file_modified_at
    (UTC). A file counts as loaded when a file of the same path, size and modification time
    was: a rewritten file is loaded again (its rows are new raw rows; the copies of an
    event_id are deduplicated downstream). Zero-byte files are left out: a half-written or
    empty file holds no rows. -#}
{% macro landing_files_not_loaded(location, loaded_relation=none) -%}
    {{ return(adapter.dispatch('landing_files_not_loaded', 'behavioral_warehouse')(location, loaded_relation)) }}
{%- endmacro %}

{% macro default__landing_files_not_loaded(location, loaded_relation) -%}
    select
        listed.filename as landing_file,
        listed.size as landing_file_size,
        cast(listed.last_modified as timestamp) as landing_file_modified_at
    from read_blob('{{ location }}') as listed
    where
        listed.size > 0
        {%- if loaded_relation %}
        and not exists (
            select 1
            from {{ loaded_relation }} as loaded
            where
                loaded.landing_file = listed.filename
                and loaded.landing_file_size = listed.size
                and loaded.landing_file_modified_at = cast(listed.last_modified as timestamp)
        )
        {%- endif %}
    order by listed.filename
{%- endmacro %}

{#- Spark: the binaryFile source lists the files of a glob with their length and
    modification time, reading no content unless it is selected. Paths come back as URIs
    (file:/..., s3a://...), which Spark reads back as they are; a relative location is
    relative to the driver's (the Thrift server's) working directory. -#}
{% macro spark__landing_files_not_loaded(location, loaded_relation) -%}
    select
        listed.path as landing_file,
        listed.length as landing_file_size,
        listed.modificationTime as landing_file_modified_at
    from binaryFile.`{{ location | replace('`', '``') }}` as listed
    where
        listed.length > 0
        {%- if loaded_relation %}
        and not exists (
            select 1
            from {{ loaded_relation }} as loaded
            where
                loaded.landing_file = listed.path
                and loaded.landing_file_size = listed.length
                and loaded.landing_file_modified_at = listed.modificationTime
        )
        {%- endif %}
    order by listed.path
{%- endmacro %}
