-- Reading from landing files (var raw_events_location): every non-empty file in the folder
-- is loaded, in its current version (path, size, modification time). One row per file
-- not loaded.
{{ config(enabled=var('raw_events_location') | length > 0) }}

with

not_loaded as (
    {{ landing_files_not_loaded(var('raw_events_location'), ref('base_tracking__landed_events')) | indent(4) }}
)

select
    landing_file,
    landing_file_size,
    landing_file_modified_at
from not_loaded
