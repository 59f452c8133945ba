-- Reading from landing files (var raw_events_location): every file in the folder that holds
-- rows and was last modified before this run started is loaded, in its current version
-- (path, size, modification time). One row per file not loaded, with its row count. A file
-- without rows (zero bytes, a Parquet schema only, blank lines) leaves no row to load; a
-- file written during the run is loaded by the next one. Without a landing folder there
-- is nothing to check.
-- depends_on: {{ ref('base_tracking__landed_events') }}
{%- set location = var('raw_events_location') -%}
{%- set run_started = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
{%- set files_before_run = [] -%}
{%- if execute and location -%}
    {%- for file in landing_files_to_load(location, ref('base_tracking__landed_events')) -%}
        {%- if file[2] < run_started -%}
            {%- do files_before_run.append(file) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

not_loaded_rows as (
    {{ read_landing_files(files_before_run) | indent(4) }}
)

select
    landing_file,
    count(*) as n_rows
from not_loaded_rows
group by landing_file
