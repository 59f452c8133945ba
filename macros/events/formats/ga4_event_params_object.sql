{#- The repeated key/value record `event_params` of a GA4 BigQuery export record (`record`,
    JSON object text) as one flat JSON object text, {key: value}, so each parameter is read
    with json_text like any other tracker's properties. A parameter's value is the first
    non-null of its value.string_value, int_value, float_value, double_value, as written (a
    string, or a number; the JSON export may write an INT64 as a string); a parameter
    without a value is JSON null. '{}' when the record has no event_params. GA4 never
    repeats a key within one event; if a record does, which value json_text reads is
    engine-defined. -#}
{% macro ga4_event_params_object(record) -%}
    {{ return(adapter.dispatch('ga4_event_params_object', 'behavioral_warehouse')(record)) }}
{%- endmacro %}

{% macro default__ga4_event_params_object(record) -%}
    {%- set value_fields = ['string_value', 'int_value', 'float_value', 'double_value'] -%}
    ('{' || array_to_string(list_transform(
        json_extract({{ record }}, '$.event_params[*]'),
        lambda param: cast(to_json(json_extract_string(param, '$.key')) as varchar) || ':' || coalesce(
            {%- for field in value_fields %}
            case
                when json_extract_string(param, '$.value.{{ field }}') is not null
                    then cast(json_extract(param, '$.value.{{ field }}') as varchar)
            end,
            {%- endfor %}
            'null'
        )
    ), ',') || '}')
{%- endmacro %}

{% macro postgres__ga4_event_params_object(record) -%}
    {%- set value_fields = ['string_value', 'int_value', 'float_value', 'double_value'] -%}
    (
        select cast(coalesce(jsonb_object_agg(
            ga4_params.param ->> 'key',
            coalesce(
                {%- for field in value_fields %}
                nullif(ga4_params.param -> 'value' -> '{{ field }}', 'null'::jsonb),
                {%- endfor %}
                'null'::jsonb
            )
        ), '{}'::jsonb) as text)
        from jsonb_array_elements(
            case
                when jsonb_typeof(cast({{ record }} as jsonb) -> 'event_params') = 'array'
                    then cast({{ record }} as jsonb) -> 'event_params'
                else '[]'::jsonb
            end
        ) as ga4_params (param)
        where ga4_params.param ->> 'key' is not null
    )
{%- endmacro %}

{#- Spark: every value as a string (a map has one value type); json_text reads them alike. -#}
{% macro spark__ga4_event_params_object(record) -%}
    coalesce(to_json(map_from_entries(transform(
        filter(
            from_json(
                get_json_object({{ record }}, '$.event_params'),
                'array<struct<key:string,value:struct<string_value:string,int_value:string,float_value:string,double_value:string>>>'
            ),
            param -> param.key is not null
        ),
        param -> struct(
            param.key,
            coalesce(param.value.string_value, param.value.int_value, param.value.float_value, param.value.double_value)
        )
    ))), '{}')
{%- endmacro %}
