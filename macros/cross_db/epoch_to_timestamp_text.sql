{#- A number of seconds, milliseconds or microseconds since 1970-01-01 UTC (`unit`; text or
    a number) as UTC timestamp text 'YYYY-MM-DD HH:MM:SS.ffffff', which staging parses like
    any other occurred_at. Null when it is not a number or lies outside years 1970..2999, so
    the row is quarantined as invalid_occurred_at (or *_out_of_range by staging's bounds). -#}
{% macro epoch_to_timestamp_text(expression, unit) -%}
    {%- set per_second = {'seconds': 1, 'milliseconds': 1000, 'microseconds': 1000000} -%}
    {%- if unit not in per_second -%}
        {{ exceptions.raise_compiler_error("epoch_to_timestamp_text: unit must be one of " ~ per_second.keys() | join(', ') ~ ", not " ~ unit) }}
    {%- endif -%}
    {{ return(adapter.dispatch('epoch_to_timestamp_text', 'behavioral_warehouse')(expression, per_second[unit])) }}
{%- endmacro %}

{% macro default__epoch_to_timestamp_text(expression, per_second) -%}
    {%- set microseconds = 'round(try_cast(' ~ expression ~ ' as double) * ' ~ (1000000 // per_second) ~ ')' -%}
    case
        when {{ microseconds }} between 0 and 32503680000000000
            then strftime(make_timestamp(cast({{ microseconds }} as bigint)), '%Y-%m-%d %H:%M:%S.%f')
    end
{%- endmacro %}

{% macro postgres__epoch_to_timestamp_text(expression, per_second) -%}
    {%- set seconds = try_cast(expression, 'double precision') ~ ' / ' ~ per_second -%}
    case
        when {{ seconds }} between 0 and 32503680000
            then to_char(to_timestamp({{ seconds }}) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')
    end
{%- endmacro %}

{% macro spark__epoch_to_timestamp_text(expression, per_second) -%}
    {%- set microseconds = 'round(try_cast(' ~ expression ~ ' as double) * ' ~ (1000000 // per_second) ~ ')' -%}
    case
        when {{ microseconds }} between 0 and 32503680000000000
            then date_format(
                to_utc_timestamp(timestamp_micros(cast({{ microseconds }} as bigint)), current_timezone()),
                'yyyy-MM-dd HH:mm:ss.SSSSSS'
            )
    end
{%- endmacro %}
