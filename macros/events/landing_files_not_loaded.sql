{#- A select of the landing files of `location` (a path or glob) that are not in
    `loaded_relation` (model base_tracking__landed_events; none: every file), sorted by
    path: landing_file (path as listed), landing_file_size (bytes), landing_file_modified_at
    (UTC). A file counts as loaded when a file of the same path, size and modification time
    was: a rewritten file is loaded again (its rows are new raw rows; the copies of an
    event_id are deduplicated downstream). Zero-byte files are left out: a half-written or
    empty file holds no rows. -#}
{% macro landing_files_not_loaded(location, loaded_relation=none) -%}
    select
        listed.landing_file,
        listed.landing_file_size,
        listed.landing_file_modified_at
    from ({{ landing_file_listing(location) }}) as listed
    where
        listed.landing_file_size > 0
        {%- if loaded_relation %}
        and not exists (
            select 1
            from {{ loaded_relation }} as loaded
            where
                loaded.landing_file = listed.landing_file
                and loaded.landing_file_size = listed.landing_file_size
                and loaded.landing_file_modified_at = listed.landing_file_modified_at
        )
        {%- endif %}
    order by listed.landing_file
{%- endmacro %}
