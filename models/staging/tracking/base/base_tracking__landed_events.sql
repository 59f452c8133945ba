{#- The raw rows of every landing file loaded so far, as delivered (text), with the file they
    came from: the warehouse's own copy of the landing folder (var raw_events_location).
    Each run appends the files not loaded yet (macro landing_files_to_load: by path, size and
    modification time, whatever their received_at), so a late file is loaded on the next
    run, and a --full-refresh keeps the history: processed files may be archived. Reload
    every file present with --full-refresh --vars '{reload_landing_files: true}'. Empty
    when the events come from a table. -#}
-- depends_on: {{ source('tracking', 'events') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=(none if var('reload_landing_files') else false),
) }}
{#- Without a landing folder (a source table), no file and no row, on every engine. -#}
{%- set location = var('raw_events_location') -%}
{%- set files = landing_files_to_load(location, this if is_incremental() else none)
    if execute and location else [] -%}
{%- set loaded_at = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') -%}

with

landing_files as (
    {%- for file in files %}
        select
            {{ text_literal(file[0]) }} as landing_file,
            cast({{ file[1] }} as {{ dbt.type_bigint() }}) as landing_file_size,
            cast('{{ file[2] }}' as {{ dbt.type_timestamp() }}) as landing_file_modified_at,
            {#- the key of this version of the file, hashed once per file -#}
            '{{ local_md5(file[0] ~ '-' ~ file[2]) }}' as landing_file_key
        {%- if not loop.last %}
            union all
        {%- endif -%}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as landing_file,
            cast(null as {{ dbt.type_bigint() }}) as landing_file_size,
            cast(null as {{ dbt.type_timestamp() }}) as landing_file_modified_at,
            cast(null as {{ dbt.type_string() }}) as landing_file_key
        where 1 = 0
    {%- endfor %}
),

landed_rows as (
    {{ read_landing_files(files) | indent(4) }}
),

final as (
    select
        -- the file version's key and the row's number in it: no hash per row
        {{ dbt.concat([
            'landing_files.landing_file_key',
            "'-'",
            'cast(landed_rows.landing_file_row_number as ' ~ dbt.type_string() ~ ')',
        ]) }} as raw_row_id,
        {%- for column in event_contract_columns() %}
            landed_rows.{{ column.name }},
        {%- endfor %}
        landing_files.landing_file,
        landing_files.landing_file_size,
        landing_files.landing_file_modified_at,
        landed_rows.landing_file_row_number,
        cast('{{ loaded_at }}' as {{ dbt.type_timestamp() }}) as loaded_at
    from landed_rows
    inner join landing_files
        on landed_rows.landing_file = landing_files.landing_file
)

select * from final
