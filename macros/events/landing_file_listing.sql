{#- A select of every file of `location` (a path or glob) with its metadata, reading no
    content: landing_file (path as listed), landing_file_size (bytes),
    landing_file_modified_at (UTC). -#}
{% macro landing_file_listing(location) -%}
    {{ return(adapter.dispatch('landing_file_listing', 'behavioral_warehouse')(location)) }}
{%- endmacro %}

{% macro default__landing_file_listing(location) -%}
    select
        filename as landing_file,
        size as landing_file_size,
        cast(last_modified as timestamp) as landing_file_modified_at
    from read_blob('{{ location }}')
{%- endmacro %}

{#- Spark: the binaryFile source lists the files of a glob with their length and
    modification time, reading no content unless it is selected. Paths come back as URIs
    (file:/..., s3a://...), which Spark reads back as they are; a relative location is
    relative to the driver's (the Thrift server's) working directory. -#}
{% macro spark__landing_file_listing(location) -%}
    select
        path as landing_file,
        length as landing_file_size,
        modificationTime as landing_file_modified_at
    from binaryFile.`{{ location | replace('`', '``') }}`
{%- endmacro %}
