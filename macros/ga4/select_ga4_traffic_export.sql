{#- Select list that reads `relation` (source ga4.traffic_acquisition_hourly: GA4 CSV
    downloads read with their own header) as the export contract (macro
    ga4_traffic_export_columns), every column as text, by header name in any column order;
    other columns are ignored. Before the model is built, each file's header is checked on
    its own (macro ga4_traffic_export_files): a file without a header for a column, or with
    two for one column, fails the run, naming the file and GA4's header text. Files that
    spell a header differently ('Date + hour' in one, 'Date + hour (YYYYMMDDHH)' in
    another) are read by name into one relation; the column is then the first non-null of
    those spellings (only one is present in each file). -#}
{% macro select_ga4_traffic_export(relation) -%}
    {%- set contract = ga4_traffic_export_columns() -%}
    {%- if execute -%}
        {%- set problems = [] -%}
        {%- for label, table in ga4_traffic_export_files(relation) -%}
            {%- set headers = run_query('select * from ' ~ table ~ ' where 1 = 0').column_names -%}
            {%- set found = ga4_traffic_export_header_columns(headers) -%}
            {%- set missing = [] -%}
            {%- for column in contract -%}
                {%- if found[column.name] | length == 0 -%}
                    {%- do missing.append("'" ~ column.headers[0] ~ "'") -%}
                {%- elif found[column.name] | length > 1 -%}
                    {%- do problems.append(label ~ ": the headers '"
                        ~ found[column.name] | join("', '") ~ "' all name " ~ column.name
                        ~ "; keep one") -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if headers | length == 1 -%}
                {%- do problems.append(label ~ ": read as one column; for a CSV file, DuckDB's"
                    ~ " sniffer could not split it (not comma-separated, or rows with another"
                    ~ " number of fields than the header, such as a second table)") -%}
            {%- elif missing -%}
                {%- do problems.append(label ~ ": no column for the GA4 header(s) "
                    ~ missing | join(', ')) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if problems -%}
            {%- set expected = [] -%}
            {%- for column in contract -%}
                {%- do expected.append("'" ~ column.headers[0] ~ "'") -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                "The GA4 traffic-acquisition export cannot be read by header name:\n  "
                ~ problems | join('\n  ')
                ~ "\nEach file needs one column for each of " ~ expected | join(', ')
                ~ " (GA4's header text; case, spacing and a trailing '(...)' are ignored;"
                ~ " other columns are ignored). See models/staging/ga4/_ga4__sources.yml."
            ) }}
        {%- endif -%}
        {%- set present = ga4_traffic_export_header_columns(
            run_query('select * from ' ~ relation ~ ' where 1 = 0').column_names
        ) -%}
    {%- endif -%}
    {%- for column in contract %}
        {% if execute -%}
            {%- set quoted = [] -%}
            {%- for header in present[column.name] -%}
                {%- do quoted.append(adapter.quote(header)) -%}
            {%- endfor -%}
            {%- if quoted | length > 1 -%}
                coalesce({{ quoted | join(', ') }})
            {%- else -%}
                {{ quoted[0] }}
            {%- endif -%}
        {%- else -%}
            cast({{ column.name }} as {{ dbt.type_string() }})
        {%- endif %} as {{ column.name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
