{#- The columns of every landing file loaded so far, as the file declares them (Parquet) or
    the reader infers them (JSON lines), read once per file (macro landing_file_columns) in
    the run that first sees it; kept over a --full-refresh, as the landed rows are
    (base_tracking__landed_events), so the history survives archived files. Empty when the
    events come from a table. -#}
-- depends_on: {{ source('tracking', 'events') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=(none if var('reload_landing_files') else false),
) }}
{%- set location = var('raw_events_location') -%}
{%- set files = landing_files_to_load(location, this if is_incremental() else none)
    if execute and location else [] -%}
{%- set columns = landing_file_columns(files) if execute else [] -%}
{%- set loaded_at = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') -%}

with

file_columns as (
    {%- for file, column_name, column_type, column_position in columns %}
        select
            {{ text_literal(file[0]) }} as landing_file,
            cast({{ file[1] }} as {{ dbt.type_bigint() }}) as landing_file_size,
            cast('{{ file[2] }}' as {{ dbt.type_timestamp() }}) as landing_file_modified_at,
            {{ text_literal(column_name) }} as column_name,
            {{ text_literal(column_type) }} as column_type,
            cast({{ column_position }} as {{ dbt.type_int() }}) as column_position
        {%- if not loop.last %}
            union all
        {%- endif -%}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as landing_file,
            cast(null as {{ dbt.type_bigint() }}) as landing_file_size,
            cast(null as {{ dbt.type_timestamp() }}) as landing_file_modified_at,
            cast(null as {{ dbt.type_string() }}) as column_name,
            cast(null as {{ dbt.type_string() }}) as column_type,
            cast(null as {{ dbt.type_int() }}) as column_position
        where 1 = 0
    {%- endfor %}
),

final as (
    select
        landing_file,
        landing_file_size,
        landing_file_modified_at,
        column_name,
        column_type,
        column_position,
        cast('{{ loaded_at }}' as {{ dbt.type_timestamp() }}) as loaded_at
    from file_columns
)

select * from final
