{#- Incremental by landed file. The large per-answer models hold one row per loaded submission
    (current or superseded), each with the file it came from (file_sha256) and the fingerprint
    of the catalogue rules it was computed with. A run computes only the files not in the
    table yet; before it, the rows of files no longer loaded (replaced by a corrected file)
    and rows computed under other catalogue rules are deleted. So whichever files a run
    ingested, the table ends equal to a full rebuild, and running it again changes nothing.
    (A change to a model's SQL needs `dbt build --full-refresh`, as for any dbt incremental.) -#}

{#- The fingerprint of the catalogue rules in force (int_catalogue_fingerprint). -#}
{% macro catalogue_fingerprint() -%}
    (select catalogue_fingerprint from {{ ref('int_catalogue_fingerprint') }})
{%- endmacro %}

{#- Pre-hook: drop the rows of files no longer loaded (not in `loaded`, the model's upstream
    per-file model), and rows built under other catalogue rules. -#}
{% macro delete_stale_files(loaded) %}
    {% if this is not none and is_incremental() %}
        delete from {{ this }}
        where
            file_sha256 not in (select distinct file_sha256 from {{ ref(loaded) }})
            or catalogue_fingerprint != {{ catalogue_fingerprint() }}
    {% endif %}
{% endmacro %}

{#- The filter on a model's input: in an incremental run, only files not built yet. -#}
{% macro files_not_built_yet(column) -%}
    {%- if this is not none and is_incremental() -%}
        {{ column }} not in (select distinct file_sha256 from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Per landed file, a fingerprint of what it counts: which of its submissions are the ones that
    count for their audits (a later file can supersede one), in which district (a change to the
    reference data can make one not recorded), under which catalogue rules and year type. A
    file whose fingerprint changed is added up again; the others are not. -#}
{% macro counted_file_fingerprints() -%}
    select
        file_sha256,
        concat_ws(
            ':',
            count(*),
            bit_xor(hash(submission_id, district_code)),
            any_value(form_version),
            '{{ year_type() }}',
            {{ catalogue_fingerprint() }}
        ) as file_fingerprint
    from {{ ref('int_audits_deduplicated') }}
    group by file_sha256
{%- endmacro %}

{#- Pre-hook of the per-file sums: drop files whose fingerprint changed or that count nothing
    any more. -#}
{% macro delete_changed_files() %}
    {% if this is not none and is_incremental() %}
        delete from {{ this }}
        where (file_sha256, file_fingerprint) not in ({{ counted_file_fingerprints() }})
    {% endif %}
{% endmacro %}
