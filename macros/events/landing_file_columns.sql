{#- The top-level columns of each landing file of `files` (rows of macro
    landing_files_to_load): a list of (that file row, column name, column type, position), from a
    `describe` of the file (macro landing_file_reader; its first two columns are the name
    and the type on every engine). Queries the warehouse: call it only when `execute`. -#}
{% macro landing_file_columns(files) -%}
    {%- set columns = [] -%}
    {%- for file in files -%}
        {%- set described = run_query('describe select * from ' ~ landing_file_reader(file[0])) -%}
        {%- for row in described.rows -%}
            {%- do columns.append((file, row[0], row[1] | string, loop.index)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
