"""Sidebar panels that add datasets: download a release, read an extracted folder, upload a CSV."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from movierec import paths
from movierec.data import DATASETS, dataset_status, load_ratings_csv
from movierec.errors import MovieRecError
from movierec.ui import cache
from movierec.ui.keys import FOLDERS_KEY, UPLOADS_KEY
from movierec.ui.polling import poll
from movierec.ui.runs import FAILED, DownloadJob
from movierec.ui.sources import Source
from movierec.ui.state import choose_later

DOWNLOAD_JOB_KEY = "download_job"
MAX_UPLOADS = 3  # uploads kept per browser session (each holds its ratings in the server's memory)


def download_panel() -> None:
    """Pick a downloadable release, see whether it is cached, download it with a progress bar."""
    job: DownloadJob | None = st.session_state.get(DOWNLOAD_JOB_KEY)
    status = {row["name"]: row for row in dataset_status() if not row["bundled"]}
    with st.expander("Download a MovieLens release", expanded=job is not None and (job.running or _failed(job))):
        name = st.selectbox(
            "Release",
            list(status),
            key="download_choice",
            format_func=lambda n: (
                f"{n} · {status[n]['size_hint']} · {'cached' if status[n]['ready'] else 'not downloaded'}"
            ),
        )
        row = status[name]
        cached = f"Cached in {row['location']}." if row["ready"] else "Not downloaded yet."
        st.caption(f"{row['description']} Ratings {row['scale']}. {cached}")
        busy = job is not None and job.running
        label = "Retry download" if job is not None and _failed(job) and job.name == name else "Download"
        if st.button(
            label, disabled=busy, key="download_start", help="Fetched from GroupLens, checked, then unpacked."
        ):
            st.session_state[DOWNLOAD_JOB_KEY] = DownloadJob(name).start()
            st.rerun()
        cancel = busy and st.button(
            "Cancel download", key="download_cancel", help="Stops the transfer; nothing in the cache changes."
        )
        if cancel and job is not None:
            job.stop()
        if job is not None:
            poll(job, lambda: _download_progress(job))


def _failed(job: DownloadJob | None) -> bool:
    return job is not None and job.snapshot().status == FAILED


def _download_progress(job: DownloadJob) -> None:
    snap = job.snapshot()
    if job.running:
        done_mb = snap.bytes_done / 1e6
        if snap.bytes_total:
            text = f"{job.name}: {done_mb:.1f} of {snap.bytes_total / 1e6:.1f} MB"
            st.progress(min(1.0, snap.bytes_done / snap.bytes_total), text=text)
        else:
            st.progress(0.0, text=f"{job.name}: {done_mb:.1f} MB so far")
    elif snap.status == FAILED:
        st.error(f"{snap.error} Any copy downloaded earlier is untouched; you can retry.")
    else:
        # Done: make the new release the active dataset; the rerun that follows redraws the picker.
        st.session_state.pop(DOWNLOAD_JOB_KEY, None)
        choose_later(dataset=job.name)


def folder_panel() -> None:
    """Read a release from a folder the person extracted, when it lies under an allowed data folder."""
    with st.expander("Use an extracted folder"):
        roots = paths.data_roots()
        st.caption(f"Folders under {', '.join(str(root) for root in roots)} (more with {paths.DATA_ROOTS_ENV}).")
        release = st.selectbox("Release in the folder", list(DATASETS), key="folder_release")
        folder = st.text_input("Folder path", key="folder_path", placeholder=str(roots[0] / "ml-1m"))
        if st.button("Use this folder", key="folder_use", disabled=not folder.strip()):
            _use_folder(release, folder.strip(), roots)


def _use_folder(release: str, folder: str, roots: list) -> None:
    # One message for a folder that is missing, outside the roots or unreadable, and never the files' content:
    # the page must not tell visitors what exists on the server or what its files hold.
    refused = (
        f"This folder cannot be used as {release}: it is not an extracted {release} under an allowed data folder, "
        "or its files are missing or damaged. Extract the release under an allowed folder and try again."
    )
    resolved = paths.within_roots(folder, roots)
    if resolved is None:
        st.error(refused)
        return
    try:
        cache.dataset(release, str(resolved))
    except MovieRecError:
        st.error(refused)
        return
    key = Source.extracted(release, str(resolved)).key
    folders = st.session_state.setdefault(FOLDERS_KEY, [])
    if key not in folders:
        folders.append(key)
    choose_later(dataset=key)
    st.rerun()


def upload_panel() -> None:
    """Check an uploaded ratings CSV (and optional movies CSV) and make it the active dataset."""
    with st.expander("Upload your own ratings"):
        ratings = st.file_uploader(
            "Ratings CSV: user_id, movie_id, rating[, timestamp]", type="csv", key="upload_ratings"
        )
        movies = st.file_uploader("Movies CSV (optional): movie_id, title[, genres]", type="csv", key="upload_movies")
        if st.button("Use these ratings", key="upload_use", disabled=ratings is None) and ratings is not None:
            _use_upload(ratings, movies)


def _use_upload(ratings: UploadedFile, movies: UploadedFile | None) -> None:
    for upload in (ratings, movies):
        if upload is not None:
            upload.seek(0)  # a second click must read the file from its start again
    try:
        dataset = load_ratings_csv(ratings, movies, name="upload")
    except MovieRecError as exc:
        st.error(str(exc))
        return
    # Named by content, not by file name: two people's different ratings.csv never share models.
    dataset.name = f"upload-{dataset.fingerprint[:12]}"
    uploads = st.session_state.setdefault(UPLOADS_KEY, {})
    key = Source.upload(dataset.name).key
    uploads.pop(key, None)
    uploads[key] = dataset
    while len(uploads) > MAX_UPLOADS:  # the oldest upload goes first
        uploads.pop(next(iter(uploads)))
    choose_later(dataset=key)
    st.rerun()
