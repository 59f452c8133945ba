{#- GA4's default channel group of a session: the rules evaluated in GA4's order, the first
    that matches wins, every comparison case-insensitive. source_category is the category
    of the source in GA4's list (seed ga4_source_categories: SOURCE_CATEGORY_SEARCH,
    _SOCIAL, _SHOPPING, _VIDEO) or null. Override by defining <adapter>__default_channel_group
    (or default__) in your own project. -#}
{% macro default_channel_group(source, medium, campaign, source_category) -%}
    {{ return(adapter.dispatch('default_channel_group', 'behavioral_warehouse')(
        source, medium, campaign, source_category
    )) }}
{%- endmacro %}

{% macro default__default_channel_group(source, medium, campaign, source_category) -%}
    {%- set source = 'lower(' ~ source ~ ')' -%}
    {%- set medium = 'lower(' ~ medium ~ ')' -%}
    {%- set campaign = 'lower(' ~ campaign ~ ')' -%}
    {%- set is_paid = regex_matches(medium, '^(.*cp.*|ppc|retargeting|paid.*)$') -%}
    {%- set shopping_campaign = regex_matches(campaign, '^(.*(([^a-df-z]|^)shop|shopping).*)$') -%}
    {%- set email = "('email', 'e-mail', 'e_mail', 'e mail')" -%}
    case
        when {{ source }} = '(direct)' and {{ medium }} in ('(not set)', '(none)')
            then 'Direct'
        when {{ campaign }} like '%cross-network%'
            then 'Cross-network'
        when
            ({{ source_category }} = 'SOURCE_CATEGORY_SHOPPING' or {{ shopping_campaign }})
            and {{ is_paid }}
            then 'Paid Shopping'
        when {{ source_category }} = 'SOURCE_CATEGORY_SEARCH' and {{ is_paid }}
            then 'Paid Search'
        when {{ source_category }} = 'SOURCE_CATEGORY_SOCIAL' and {{ is_paid }}
            then 'Paid Social'
        when {{ source_category }} = 'SOURCE_CATEGORY_VIDEO' and {{ is_paid }}
            then 'Paid Video'
        when {{ medium }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm')
            then 'Display'
        when {{ is_paid }}
            then 'Paid Other'
        when {{ source_category }} = 'SOURCE_CATEGORY_SHOPPING' or {{ shopping_campaign }}
            then 'Organic Shopping'
        when
            {{ source_category }} = 'SOURCE_CATEGORY_SOCIAL'
            or {{ medium }} in (
                'social', 'social-network', 'social-media', 'sm', 'social network', 'social media'
            )
            then 'Organic Social'
        when {{ source_category }} = 'SOURCE_CATEGORY_VIDEO' or {{ medium }} like '%video%'
            then 'Organic Video'
        when {{ source_category }} = 'SOURCE_CATEGORY_SEARCH' or {{ medium }} = 'organic'
            then 'Organic Search'
        when {{ medium }} in ('referral', 'app', 'link')
            then 'Referral'
        when {{ source }} in {{ email }} or {{ medium }} in {{ email }}
            then 'Email'
        when {{ medium }} = 'affiliate'
            then 'Affiliates'
        when {{ medium }} = 'audio'
            then 'Audio'
        when {{ source }} = 'sms' or {{ medium }} = 'sms'
            then 'SMS'
        when
            {{ medium }} like '%push'
            or {{ medium }} like '%mobile%'
            or {{ medium }} like '%notification%'
            or {{ source }} = 'firebase'
            then 'Mobile Push Notifications'
        else 'Unassigned'
    end
{%- endmacro %}
