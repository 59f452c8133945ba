{#- The error for an event_format that no format macro handles. -#}
{% macro event_format_error(format) -%}
    {{ return("Unknown event_format '" ~ format ~ "': use contract, segment, snowplow, ga4, amplitude, mixpanel, posthog, or custom (with your own default__custom_event_contract macro).") }}
{%- endmacro %}
