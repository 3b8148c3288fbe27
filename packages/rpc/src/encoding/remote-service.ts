/** Marker class of service objects returned by `get_remote_service` (encoded like plain maps). */
export class RemoteService {
  [key: string]: any;
}
