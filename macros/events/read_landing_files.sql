{#- A select of the raw rows of `files` (rows of macro landing_files_to_load) in format var
    raw_events_format: the event contract as text (macro select_event_contract), plus
    landing_file (path as listed) and landing_file_row_number (1-based). No file: no row.
    - Parquet: files are read in groups of identical schemas, each group through
      select_event_contract, then stacked. One read of files whose schemas cannot be
      unified (a STRUCT `properties` in one file, text in another) fails in DuckDB even
      with union_by_name; read apart, each is converted to text on its own (nested values
      as JSON text). A file missing a required column fails the run, naming the file.
    - JSON lines: every contract column is read as text (`columns`), so one value of
      another JSON type (a number in occurred_at, an object in revenue) stays on its own
      row, where validation quarantines it, instead of retyping the column for every
      row; a missing key reads as null.
    - A tracker's format (var event_format other than contract): each row, a JSON line or a
      Parquet row as JSON, is read as the contract by macro tracker_event_contract. -#}
{% macro read_landing_files(files) -%}
    {{ return(adapter.dispatch('read_landing_files', 'behavioral_warehouse')(files)) }}
{%- endmacro %}

{% macro default__read_landing_files(files) -%}
    {%- set tracker_format = var('event_format') != 'contract' -%}
    {%- set paths = [] -%}
    {%- for file in files -%}
        {%- do paths.append("'" ~ file[0] | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {%- if not paths -%}
        select
        {%- for column in event_contract_columns() %}
            cast(null as {{ dbt.type_string() }}) as {{ column.name }},
        {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as landing_file,
            cast(null as {{ dbt.type_bigint() }}) as landing_file_row_number
        where 1 = 0
    {%- elif var('raw_events_format') == 'json' and tracker_format -%}
        select
            {{ tracker_event_contract('json') }},
            filename as landing_file,
            row_number() over (partition by filename) as landing_file_row_number
        from read_json_objects([{{ paths | join(', ') }}], format = 'newline_delimited', filename = true)
    {%- elif var('raw_events_format') == 'json' -%}
        {%- set reader -%}
            read_json([{{ paths | join(', ') }}], format = 'newline_delimited', filename = true, columns = {
            {%- for column in event_contract_columns() %}
                {{ column.name }}: 'VARCHAR'{{ ',' if not loop.last }}
            {%- endfor %}
            })
        {%- endset -%}
        select
            {{ select_event_contract(reader) }},
            filename as landing_file,
            row_number() over (partition by filename) as landing_file_row_number
        from {{ reader }}
    {%- else -%}
        {%- set schemas -%}
            select
                file_name,
                string_agg(name || ' ' || coalesce(type, '') || ' ' || coalesce(num_children, 0), ', ' order by name, type)
            from parquet_schema([{{ paths | join(', ') }}])
            group by file_name
            order by file_name
        {%- endset -%}
        {%- set groups = {} -%}
        {%- for row in run_query(schemas) -%}
            {%- do groups.setdefault(row[1], []).append("'" ~ row[0] | replace("'", "''") ~ "'") -%}
        {%- endfor -%}
        {%- for group_paths in groups.values() -%}
            {%- set reader = 'read_parquet([' ~ group_paths | join(', ')
                ~ '], union_by_name = true, filename = true, file_row_number = true)' %}
            {%- if tracker_format %}
        select
            {{ tracker_event_contract('tracker_records.record') }},
            tracker_records.filename as landing_file,
            tracker_records.file_row_number + 1 as landing_file_row_number
        from (
            select
                {{ row_as_json('tracker_rows') }} as record,
                tracker_rows.filename,
                tracker_rows.file_row_number
            from {{ reader }} as tracker_rows
        ) as tracker_records
            {%- else %}
        select
            {{ select_event_contract(reader) }},
            filename as landing_file,
            file_row_number + 1 as landing_file_row_number
        from {{ reader }}
            {%- endif %}
            {%- if not loop.last %}
        union all
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- Spark: one read per file (each Parquet file's columns probed on their own, as DuckDB's
    schema groups do), stacked. Parquet rows are numbered by the reader's row index
    (_metadata.row_index); a JSON line is read as text (the text source) and each contract
    column taken from it as text (macro json_text: a value of another JSON type stays on
    its row as text), numbered in the file's order (monotonically_increasing_id follows
    the file's splits); empty lines are skipped, as DuckDB does. The path is the file's
    as listed (macro landing_files_not_loaded). -#}
{% macro spark__read_landing_files(files) -%}
    {%- set tracker_format = var('event_format') != 'contract' -%}
    {%- if not files -%}
        {{ return(default__read_landing_files(files)) }}
    {%- endif -%}
    {%- for file in files -%}
        {%- set path_literal = text_literal(file[0]) -%}
        {%- if var('raw_events_format') == 'json' %}
        select
            {%- if tracker_format %}
            {{ tracker_event_contract('json_lines.value') }},
            {%- else %}
            {%- for column in event_contract_columns() %}
            {{ json_text('json_lines.value', [column.name]) }} as {{ column.name }},
            {%- endfor %}
            {%- endif %}
            {{ path_literal }} as landing_file,
            json_lines.landing_file_row_number
        from (
            select
                value,
                row_number() over (order by monotonically_increasing_id()) as landing_file_row_number
            from text.`{{ file[0] | replace('`', '``') }}`
        ) as json_lines
        where trim(json_lines.value) != ''
        {%- else -%}
            {%- set reader = 'parquet.`' ~ file[0] | replace('`', '``') ~ '`' %}
        select
            {%- if tracker_format %}
            {{ tracker_event_contract('tracker_records.record') }},
            {{ path_literal }} as landing_file,
            tracker_records.landing_file_row_number
        from (
            select
                {{ row_as_json('tracker_rows') }} as record,
                tracker_rows._metadata.row_index + 1 as landing_file_row_number
            from {{ reader }} as tracker_rows
        ) as tracker_records
            {%- else %}
            {{ select_event_contract(reader) }},
            {{ path_literal }} as landing_file,
            _metadata.row_index + 1 as landing_file_row_number
        from {{ reader }}
            {%- endif %}
        {%- endif %}
        {%- if not loop.last %}
        union all
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
